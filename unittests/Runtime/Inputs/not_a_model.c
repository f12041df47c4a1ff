/* A shared library that is not a Kiln model. */
__attribute__((visibility("default"))) int some_function(void) { return 1; }
