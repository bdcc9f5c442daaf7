"""Personal data: values encrypted per data subject (crypto-shredding), export and erasure on request, and retention of finished workflows."""
