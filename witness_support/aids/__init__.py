"""Testimonial aids: the special measures a witness needs to give evidence, their lifecycle, and the
child set proposed automatically."""
