"""Questions to support («Задать вопрос»): asking (`ask`, signed in or with the security code
and a contact), the customer's list (`history`), the operators' list and answers (`answers`),
the rules of the texts (`text`) and the e-mails (`mail`)."""
