"""Operations on a whole database: backups (backup.py, dump.py), moving between databases
(transfer.py) and the health check (doctor.py). No Streamlit here: the `tousu` commands in
cli/ops.py are thin fronts over these modules."""
