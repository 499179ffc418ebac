"""Pricing: the rate matrix, amenities, promo codes, pricing modifiers and the quote calculation."""
