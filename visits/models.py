"""Models arrive with the visits issue."""
