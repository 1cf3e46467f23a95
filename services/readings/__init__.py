"""Meters, registers and readings: what a period starts from, what was entered in it, the rules a
new reading must pass before billing sees it, storing it, and the history.

- `views`: what the schema is handed (readings, previews, submissions, entered values);
- `loaders`: batch reads (DataLoaders' batch functions, a submission's hand-written SQL);
- `window`: the submission window, the period a reading counts for;
- `rules`: the checks of entered values; `preview`: their cost; `submission`: checking and
  storing; `store`: the upsert of the customer's pending reading (its slot);
- `verdict`: billing accepts or rejects a reading;
- `history`: the account's readings, page by page; `public`: readings without signing in.
"""
