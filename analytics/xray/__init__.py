"""X-ray parcel triage: dual-energy simulator, small CNN, staged policy (skill ``xray_triage``)."""
