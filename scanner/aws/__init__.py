"""Live collection: one collector module per service, run by ``runner`` over boto3.

Collectors map API answers into CloudFormation resource types and property shapes (and
``Pacscan::`` types for account settings); ``snapshot`` writes what they found. Only
``pacscan collect`` and ``pacscan audit`` import this package: scanning never needs boto3.
"""
