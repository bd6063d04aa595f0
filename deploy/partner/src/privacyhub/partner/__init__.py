"""Reference support-partner tool: what a registered recipient runs to receive shared questions and apply Art. 19."""
