import { type IPolicyValidationContext, type PolicyValidationPluginReport, type Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * cdk-nag's AwsSolutions pack with every finding raised to an error. CDK fails synth on a plugin's errors but
 * only prints its warnings, and the pack reports a few rules (e.g. AwsSolutions-DDB3, point-in-time recovery)
 * as warnings: "zero unacknowledged findings" should not depend on a rule's level.
 */
export class StrictAwsSolutionsChecks extends AwsSolutionsChecks {
  override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = super.validate(context);
    const violations = report.violations.map((v) => ({ ...v, severity: 'error' }));
    return { ...report, success: violations.length === 0, violations };
  }
}

/**
 * Runs the AwsSolutions checks on every stack of `stage` when it synthesizes (cdk-nag 3 is a CDK validation
 * plugin, not an Aspect): any finding not acknowledged in code makes `synth()` throw, and `cdk synth` fail.
 */
export const addNagChecks = (stage: Stage): void => {
  Validations.of(stage).addPlugins(new StrictAwsSolutionsChecks(stage, { verbose: true }));
};
