placeholder for vendor/lit.js
