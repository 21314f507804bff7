"""The database: engines and sessions, tables, migrations, and the data kept
exact beside the complaints (summaries, public text, the data version).
"""
