"""The receivables pages, by concept: accounts, sales, payments, adjustments and payment plans.

Each view is thin: it names its security function, resolves ids through the ledger's selectors (another business's
id is a 404), makes one service call behind a form, and redirects to the account with a message.
"""
