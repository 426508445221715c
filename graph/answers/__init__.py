"""Answers to users' questions, from named queries over the store: names resolved to markets
and products, the one rule for which record answers (the check), listings, network, analytics
and views."""
