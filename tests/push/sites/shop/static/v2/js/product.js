// The gallery and the add-to-cart button.
console.log('product');
