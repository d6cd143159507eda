"""Evidence gathered after the checks: screenshots of the pages that show a failing check."""
