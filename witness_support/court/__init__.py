"""Court support: court events, testimonial aids, attendance and the prosecutor's readiness view."""
