"""Each witness's protection plan: measures, who is responsible, review date, the risk assessment
it answers; every revision kept."""
