"""The benefits ledger: everything given to a witness, recorded, justified, tamper-evident, disclosable."""
