import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { Target } from '../stacks/target';

export interface OrderServicesProps {
  readonly target: Target;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The order saga's tables (workflows/orders): inventory, payments and shipments, one for each of
 * its functions, which get access to their own table only (lambdas/{inventory,payment,shipping}/steps.ts).
 * The functions themselves are built from their declarations, like every other.
 */
export class OrderServices extends Construct {
  readonly inventoryTable: dynamodb.ITable;
  readonly paymentsTable: dynamodb.ITable;
  readonly shipmentsTable: dynamodb.ITable;

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

    new CfnOutput(this, 'InventoryTableName', { key: 'OrderInventoryTableName', value: this.inventoryTable.tableName });
    new CfnOutput(this, 'PaymentsTableName', { key: 'OrderPaymentsTableName', value: this.paymentsTable.tableName });
    new CfnOutput(this, 'ShipmentsTableName', { key: 'OrderShipmentsTableName', value: this.shipmentsTable.tableName });
  }
}
