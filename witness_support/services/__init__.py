"""Sustainable protection: what the witness was told, what they agreed to, the organisations they
were referred to, and their service plan over the policy guide's Table 1."""
