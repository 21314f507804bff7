"""消费预警: unusual rises in complaints and falling ratings, found from the data.

:mod:`models.alerts.model` is the count model (NumPy, no database); :mod:`models.alerts.detect`
reads the counts within the session's scope and words the alerts.
"""
