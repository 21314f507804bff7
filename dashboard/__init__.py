"""The Streamlit dashboard: thin pages over the domain layer in models/."""
