"""Identity: security codes, registration, sign-in and sessions, recovery, the profile."""
