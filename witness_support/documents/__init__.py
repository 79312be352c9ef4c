"""Documents attached to a witness, a case, a testimonial aid, an outcome or an impact statement."""
