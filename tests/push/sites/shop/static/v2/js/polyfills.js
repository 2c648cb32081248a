// Promise.allSettled and friends for old browsers.
window.polyfilled = true;
