"""What the dashboard and the admin pages share: who is looking (viewer, login, share-link
sessions), the one door to the data, widgets and the case panel, exports, text as text."""
