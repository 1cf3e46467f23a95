"""Identity: who the customer is and how they prove it.

- `captcha`: the security code (image challenges);
- `credentials`: the rules for logins and passwords;
- `verification`: one-time codes and links, their daily limit and tries;
- `registration`: the four steps of registering; `binding`: binding an account to a
  registrant (masked address, bill proof);
- `auth`: sign-in, access and refresh tokens, sessions; `revocation`: the broker events that
  end sessions and API keys on every server process;
- `recovery`: password recovery; `profile`: the signed-in user's password, contacts and
  settings; `linked_accounts`: accounts linked from other users;
- `housekeeping`: deleting what expired.

Phones and e-mails are normalised by services/contacts.py; messages go through
services/messages/.
"""
