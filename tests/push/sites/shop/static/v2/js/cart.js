// The mini cart.
document.addEventListener('DOMContentLoaded', () => {});
