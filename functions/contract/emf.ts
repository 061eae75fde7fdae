/**
 * One Embedded Metric Format log line: CloudWatch turns it into metric data points (the probe and Notify write them).
 */
export interface EmfLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
  [key: string]: unknown;
}
