"""The language toolkit: every rule about words lives here once, with its word lists as data (lexicon.toml).

Modules: ``words`` (quotes, tokens, the one stemmer, negation, hedges, quantifiers, antonyms), ``numbers``
(the one figure parser), ``sentences`` (splitting with offsets, list items, anaphora), ``acronyms``,
``questions`` (what a question asks for; text addressed to a model), ``polarity`` (clause signals for
stance checks). Nothing here touches the index, a model or the network.
"""
