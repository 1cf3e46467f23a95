"""Consumption charts (docs/documents.md, Charts): Account.consumption as stacked bars per month
and zone, one model (`model.build`) drawn three ways: SVG (`svg`) and PNG (`png`) behind a
short-lived signed link (`links.issue_link`, `links.open_link`, like the PDFs' links), and inside
the readings and charges PDFs (`pdf.draw`)."""
