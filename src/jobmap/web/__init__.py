"""The small local web page: browse a family's postings and the scores behind them."""
