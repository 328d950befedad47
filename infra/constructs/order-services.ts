import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { Target } from '../stacks/target';
import { NodeLambda } from './node-lambda';

export interface OrderServicesProps {
  readonly target: Target;
  readonly removalPolicy: RemovalPolicy;
}

const lambdasDir = join(__dirname, '..', '..', 'lambdas');
/**
 * At most this many charges run at once on AWS: a payment provider rate-limits its callers, and a
 * burst of orders should queue in Temporal (throttles are retried as activity attempts) rather than
 * be refused by the provider.
 */
const PAYMENT_CONCURRENCY = 10;

/**
 * The order saga's services (workflows/orders): inventory, payment and shipping, each a Lambda
 * function with its own DynamoDB table and read/write on that table only. The logical names in
 * `functions` are what the order workflow passes to lambdaFunction().
 */
export class OrderServices extends Construct {
  readonly functions: Record<string, NodeLambda>;
  readonly inventoryTable: dynamodb.Table;
  readonly paymentsTable: dynamodb.Table;
  readonly shipmentsTable: dynamodb.Table;

  constructor(scope: Construct, id: string, props: OrderServicesProps) {
    super(scope, id);
    const table = (name: string, key: string) =>
      new dynamodb.Table(this, name, {
        partitionKey: { name: key, type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        removalPolicy: props.removalPolicy,
        pointInTimeRecoverySpecification: props.target === 'aws' ? { pointInTimeRecoveryEnabled: true } : undefined,
      });
    // SKU#<sku> stock items and ORDER#<orderId> reservations.
    this.inventoryTable = table('InventoryTable', 'pk');
    // One item per order: the charge, keyed by the order id (its idempotency key).
    this.paymentsTable = table('PaymentsTable', 'orderId');
    // One item per order: the shipment and its tracking number.
    this.shipmentsTable = table('ShipmentsTable', 'orderId');

    const fn = (name: string, folder: string, description: string, environment: Record<string, string>, reservedConcurrency?: number) =>
      new NodeLambda(this, name, { entry: join(lambdasDir, folder, 'handler.ts'), target: props.target, description, timeout: Duration.seconds(20), memorySize: 256, environment, reservedConcurrency });

    const inventory = fn('InventoryFunction', 'inventory', 'Order saga: reserves and releases stock with conditional decrements', { INVENTORY_TABLE: this.inventoryTable.tableName });
    const payment = fn('PaymentFunction', 'payment', 'Order saga: charges (once per order) and refunds payments', { PAYMENTS_TABLE: this.paymentsTable.tableName }, PAYMENT_CONCURRENCY);
    const shipping = fn('ShippingFunction', 'shipping', 'Order saga: creates and cancels shipments with tracking numbers', { SHIPMENTS_TABLE: this.shipmentsTable.tableName });
    this.inventoryTable.grantReadWriteData(inventory.fn);
    this.paymentsTable.grantReadWriteData(payment.fn);
    this.shipmentsTable.grantReadWriteData(shipping.fn);

    this.functions = { orderInventory: inventory, orderPayment: payment, orderShipping: shipping };

    new CfnOutput(this, 'InventoryTableName', { key: 'OrderInventoryTableName', value: this.inventoryTable.tableName });
    new CfnOutput(this, 'PaymentsTableName', { key: 'OrderPaymentsTableName', value: this.paymentsTable.tableName });
    new CfnOutput(this, 'ShipmentsTableName', { key: 'OrderShipmentsTableName', value: this.shipmentsTable.tableName });
    new CfnOutput(this, 'InventoryFunctionName', { key: 'OrderInventoryFunctionName', value: inventory.fn.functionName, description: 'Invoke with { op: "restock", sku, quantity } (in the worker envelope) to seed stock' });
  }
}
