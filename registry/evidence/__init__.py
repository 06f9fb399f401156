"""Evidence: the files compliance staff keep with consignees, contracts, checks, findings and
questionnaires (the signed contract, certificates, audit reports, deletion certificates,
remediation evidence), stored in the database."""
