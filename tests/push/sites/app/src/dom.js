export const h = (name) => document.createElement(name);
