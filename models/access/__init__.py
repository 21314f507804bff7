"""Who may do what: accounts and logins, roles, share links."""
