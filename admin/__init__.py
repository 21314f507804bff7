"""Admin pages for staff and administrators, served by the same app as the dashboard."""
