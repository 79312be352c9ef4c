"""Post-trial outcomes: verdicts, sentences, appeals, custody changes, victim impact statements."""
