placeholder for legacy/bundle.js
