"""Money-laundering triage: typology features, synthetic history, model and ranking (skill ``aml_triage``)."""
