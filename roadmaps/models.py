"""Models arrive with the roadmaps issue."""
