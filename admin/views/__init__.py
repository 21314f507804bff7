"""One script per admin page. Each checks the viewer's role itself before drawing anything."""
