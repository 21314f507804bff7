"""One script per dashboard page. Each defines ``render()`` and runs it (live) when
Streamlit executes the file as a page; importing it runs nothing."""
