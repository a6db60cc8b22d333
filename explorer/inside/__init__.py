"""Inside the network: hidden units, the confusion matrix, random labels (issue 13)."""
