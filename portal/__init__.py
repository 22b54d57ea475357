"""The shared foundation every app may import: errors, dates, text checks, widgets, the API base
classes, middleware and shared template tags (ARCHITECTURE.md)."""
