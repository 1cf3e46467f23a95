"""Reminders to customers, sent through the outbox once per due thing: the readings window opens,
it closes soon and no reading came, the meter's verification date nears (docs/readings.md,
"Reminders").

- `due.py`: what is due for a meter today (pure rules over the window, the readings' status and
  the verification date; the thresholds come from the LK_REMINDER_* settings).
- `texts.py`: the e-mails and SMS.
- `send.py`: the daily pass (once a day in one process, services/daily.py) and the queueing of
  one reminder with its unique row.
"""
