import '../cli/local/polyfill';
