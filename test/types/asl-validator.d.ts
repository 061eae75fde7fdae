// asl-validator ships no type declarations; this is the part the tests use.
declare module 'asl-validator' {
  interface ValidationResult {
    isValid: boolean;
    errors: Array<{ message?: string; path?: string; [k: string]: unknown }>;
  }
  interface ValidatorOptions {
    checkPaths?: boolean;
    checkArn?: boolean;
  }
  const validator: (definition: unknown, options?: ValidatorOptions) => ValidationResult;
  export default validator;
}
