"""Reports: round syntheses and whole-intervention exports (Markdown, CSV, HTML with charts)."""
