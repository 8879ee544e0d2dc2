"""Use cases that span the data layer, the domain rules and email: each one ends in one commit,
then hands its emails to the transport."""
