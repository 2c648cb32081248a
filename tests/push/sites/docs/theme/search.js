// The search box.
